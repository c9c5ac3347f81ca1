export interface User {  // {{EXPECT}}
  id: string;
  name: string;
  roles: Role[];
}

export type Role = "admin" | "viewer";
