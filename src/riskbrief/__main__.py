import sys

from riskbrief.cli import main

sys.exit(main())
