import { createMemoryStore } from "../../engine/store/memory.js";
import { storeContract } from "./contract.js";

storeContract("memory", createMemoryStore);
