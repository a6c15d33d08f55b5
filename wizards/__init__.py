from . import account_dunning_pause
from . import account_dunning_skip
from . import account_dunning_send
from . import account_dunning_send_line
from . import account_dunning_send_skipped
