import { Avatar } from "./components/Avatar";

export function Profile({ user }: { user: { name: string } }) {
  const title = user.name.toUpperCase();
  // {{CURSOR}}
}
