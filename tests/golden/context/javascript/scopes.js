// Golden file for the javascript queries (ecma + javascript): markers in tests/golden/annotated.py

import React, { useState, useEffect as effect } from "react"; // {{IMPORT react}}
import * as path from "node:path"; // {{IMPORT node:path}}
import "./polyfills.js"; // {{IMPORT ./polyfills.js}}
export { helper as aid } from "./helpers.js"; // {{IMPORT ./helpers.js}}
const fs = require("fs"); // {{IMPORT fs}} {{DEF constant fs}} (a require() binding is a binding)
const { readFile, writeFile } = require("fs/promises"); // {{IMPORT fs/promises}}

export const MAX_SIZE = 10; // {{DEF constant MAX_SIZE}}
let counter = 0; // {{DEF variable counter}}
var cache; // {{DEF variable cache}}

// {{TEST method in an exported class}}
export default class Store extends Base { // {{CONTEXT}} {{DEF class Store}} {{REF type Base}}
  count = 0; // {{DEF field count}}
  #items = new Map(); // {{DEF field #items}} {{REF call Map}}

  constructor(name) { // {{DEF method constructor}}
    super(name);
  }

  async load(key) { // {{CONTEXT}} {{DEF method load}}
    const found = this.#items.get(key); // {{REF call get}}
    // {{CURSOR}}
    return found ?? readFile(path.join("data", key)); // {{REF call readFile}} {{REF call join}}
  }
}

// {{TEST arrow function in a declaration}}
export const render = (props) => { // {{CONTEXT}} {{DEF function render}}
  const [state, setState] = useState(0); // {{REF call useState}}
  function* ids() { // {{CONTEXT}} {{DEF function ids}}
    yield counter++; // {{CURSOR}}
  }
  return <Panel items={[...ids()]} />; // {{REF call Panel}}
};

// {{TEST callbacks passed as arguments}}
describe("store", () => { // {{CONTEXT}}
  it("loads", async function () { // {{CONTEXT}}
    await new Store("x").load("k"); // {{CURSOR}} {{REF call Store}} {{REF call load}}
  });
});

// {{TEST object literal and module.exports}}
module.exports.handlers = {
  onSave: function (doc) { // {{CONTEXT}} {{DEF function onSave}}
    return doc; // {{CURSOR}}
  },
  onLoad(doc) { // {{DEF method onLoad}}
    return doc;
  },
};
