// tsc does not keep the executable bit; npm links the bin but a direct call needs it.
import { chmodSync } from "node:fs";

chmodSync("dist/engine/cli.js", 0o755);
