// Golden file for the typescript queries (ecma + typescript): markers in tests/golden/annotated.py

import type { Request, Response } from "./http"; // {{IMPORT ./http}}
import fs = require("fs"); // {{IMPORT fs}}
import { z } from "zod"; // {{IMPORT zod}}

export type Id = string | number; // {{DEF type Id}}
export const DEFAULT_ID: Id = 0; // {{DEF constant DEFAULT_ID}} {{REF type Id}}

// {{TEST interface member}}
export interface Repository<T> extends Base { // {{CONTEXT}} {{DEF interface Repository}} {{REF type Base}}
  name: string; // {{DEF field name}}
  find(id: Id): Promise<T | undefined>; // {{DEF method find}} {{REF type Promise}} {{CURSOR}}
}

enum Color { // {{DEF enum Color}}
  Red,
  Green,
}

declare function hash(value: string): number; // {{DEF function hash}}

// {{TEST method of a generic abstract class}}
export abstract class MemoryRepository<T extends Entity> // {{CONTEXT}} {{DEF class MemoryRepository}}
  extends Store<T> // {{REF type Store}}
  implements Repository<T> // {{REF type Repository}}
{
  private items: Map<Id, T> = new Map(); // {{DEF field items}} {{REF type Map}} {{REF call Map}}
  abstract validate(item: T): boolean; // {{DEF method validate}}

  async find(id: Id): Promise<T | undefined> { // {{CONTEXT}} {{DEF method find}}
    // {{CURSOR}}
    return this.items.get(id) as T; // {{REF call get}}
  }
}

// {{TEST inside a namespace}}
namespace Validation { // {{CONTEXT}} {{DEF module Validation}}
  export function check(request: Request): Response { // {{CONTEXT}} {{DEF function check}} {{REF type Request}}
    return z.parse(request); // {{CURSOR}} {{REF call parse}}
  }
}

// {{TEST enum body}}
const enum Direction { // {{CONTEXT}} {{DEF enum Direction}}
  Up, // {{CURSOR}}
  Down,
}
