import type { User } from "./models";
import { UserService } from "./services/user";

export function lookup(repo: Map<string, User>, id: string) {
  if (!id) {
    throw new Error("no id");
  }
  // {{CURSOR}}
}
