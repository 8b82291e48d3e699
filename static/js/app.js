// Runs on every page: tell the learner if their saved progress needed attention.
import { notify } from "./lib/notices.js";
import { store } from "./lib/store.js";

if (store.problem) notify(store.problem, "warning");
