from . import account_dunning_pause
