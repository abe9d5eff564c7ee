from rcinbox.cli.main import main

raise SystemExit(main())
