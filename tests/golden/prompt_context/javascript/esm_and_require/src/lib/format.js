function formatTtl(seconds) {  // {{EXPECT}}
  if (seconds < 60) return `${seconds}s`;
  return `${Math.round(seconds / 60)}m`;
}

module.exports = { formatTtl };
