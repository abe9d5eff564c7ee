from rcinbox.cli import main

raise SystemExit(main())
