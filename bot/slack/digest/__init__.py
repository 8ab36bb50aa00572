"""Link digests: per channel, every article link shared in a day or a week (or since a
moment someone asks for), each summarized once, in one message or a canvas.

- `periods`: when a scheduled digest is due, and what `since:monday` means (pure).
- `collect`: the channel's messages and threads, and the links shared in them.
- `render`: the message, or the canvas when the message would be too long (pure).
- `job`: the job itself (bot.slack.tasks.Digest runs it).
- `schedule`: the scheduler in every job-running process; one job per channel and period.
- `command`: `/summarize digest daily|weekly|off|status|since:…`.
"""
