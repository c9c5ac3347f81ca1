"""`python -m ghostfill` runs the same CLI as the `ghostfill` console script."""

from ghostfill.cli import main

raise SystemExit(main())
