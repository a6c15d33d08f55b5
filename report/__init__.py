from . import account_dunning_kpi
from . import account_dunning_dashboard
