export interface AvatarProps {
  user: { name: string; image?: string };
  size?: number;
}

export function Avatar({ user, size = 32 }: AvatarProps) {  // {{EXPECT}}
  return <img src={user.image} alt={user.name} width={size} height={size} />;
}
