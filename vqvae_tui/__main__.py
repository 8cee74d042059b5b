import sys

from vqvae_tui.cli import main

sys.exit(main())
