import sys

from vqvae_tui.cli import main

if __name__ == "__main__":  # not when a training run's child (spawned) imports it again
    sys.exit(main())
