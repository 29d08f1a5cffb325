-- wrk script: each connection waits 4 ms between requests, so the load is a steady rate
-- (about 250 requests/s per connection) instead of saturating the two cores the replicas
-- need to start and stop.
function delay()
  return 4
end
