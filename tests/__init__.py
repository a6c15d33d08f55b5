from . import test_due_step
from . import test_engine
from . import test_cron
from . import test_multi
from . import test_concurrency
from . import test_reports
from . import test_data
