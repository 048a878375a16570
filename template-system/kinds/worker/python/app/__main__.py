import sys

from app.worker import main

sys.exit(main())
