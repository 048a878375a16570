import sys

from app.job import main

sys.exit(main())
