import type { User } from "../models";

export class UserService {  // {{EXPECT}}
  constructor(private readonly repo: Map<string, User>) {}

  find(id: string): User | undefined {
    return this.repo.get(id);
  }

  save(user: User): void {
    this.repo.set(user.id, user);
  }
}
