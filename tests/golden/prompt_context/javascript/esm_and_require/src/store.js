export const DEFAULT_TTL = 60;

export function createStore(options = {}) {  // {{EXPECT}}
  const items = new Map();
  return {
    get: (key) => items.get(key),
    set: (key, value) => items.set(key, value),
    ttl: options.ttl ?? DEFAULT_TTL,
  };
}
