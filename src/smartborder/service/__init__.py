"""What the API and the web UI do, once, over the store: accounts, submissions, the officers'
queue, outcomes, profiles, watch lists, measurement. Every function takes the signed-in
`Principal` and sees only its organisation's data."""
