from . import account_dunning_sequence
from . import account_dunning_step
from . import account_dunning_event
from . import account_move
from . import mail_mail
from . import res_company
from . import res_config_settings
from . import res_partner
