from amitui.commands.cli import main

raise SystemExit(main())
