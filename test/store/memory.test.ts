import { createMemoryStore } from "../../engine/store/memory.js";
import { storeContract } from "./contract.js";
import { queueContract } from "./queue-contract.js";

storeContract("memory", createMemoryStore);
queueContract("memory", createMemoryStore);
