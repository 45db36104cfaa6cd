from amitui.cli import main

raise SystemExit(main())
