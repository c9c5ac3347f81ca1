import { createStore } from "./store.js";
const { formatTtl } = require("./lib/format");

export function start(opts) {
  console.log("starting");
  // {{CURSOR}}
  return store;
}
