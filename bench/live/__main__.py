"""`python -m bench.live`: the benchmark; `--clients`: a client process; `--bare PORT TEXTS`: the
baseline server (the two process kinds the benchmark starts itself)."""

import sys

if sys.argv[1:2] == ["--clients"]:
    from bench.live.clients import main

    main()
elif sys.argv[1:2] == ["--bare"]:
    from bench.live.bare import main

    main(*sys.argv[2:4])
else:
    from bench.live.run import main

    main()
