from dshub.cli import main

raise SystemExit(main())
