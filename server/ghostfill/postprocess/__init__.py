"""Small ordered filters over the streamed suggestion; each may stop generation early."""
