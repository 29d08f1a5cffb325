-- wrk script: each connection waits WRK_PAUSE_MS (default 4 ms) between requests, so the load is
-- a steady rate (about 250 requests/s per connection at 4 ms) instead of saturating the two
-- cores the replicas need to start and stop. bench/rollout.sh sets it per traffic level.
local pause = tonumber(os.getenv("WRK_PAUSE_MS")) or 4

function delay()
  return pause
end
