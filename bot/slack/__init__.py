"""The Slack app: listeners, reply formatting, runners.

Scopes the app manifest (manifest.json) asks for, and why:

- app_mentions:read: hear "@articlebot <link>" in channels.
- chat:write: post summaries and answers, update placeholders, stream replies.
- commands: the /summarize, /ask and /articlebot slash commands.
- im:history, im:read, im:write: read links sent in a DM to the bot and reply there.
- channels:history, groups:history, mpim:history: read follow-up questions in a thread the
  bot already answered (no mention needed), the message a shortcut points at, and a
  thread's messages (conversations.replies) for a recap or to find the article a question
  mid-thread is about; a channel's link digest reads its history and threads with them too.
  chat.getPermalink, for the recap's and the digest's links, needs no scope.
- files:read: read a PDF or text file someone shares with the bot.
- assistant:write: the agent/assistant view (status line, suggested prompts, thread titles).
- canvases:write: a link digest too long for one message goes into a canvas the channel
  can read.
- users:read: users.info tells whether the person changing a channel's settings (where
  the workspace keeps them to admins), or who may change them, is a workspace admin or owner.
- channels:read, groups:read, mpim:read (and im:read): conversations.info says whether a
  channel is private, and conversations.members who is in it: a private channel's settings
  (App Home, its Edit button, the picker) are only for its members.

Not asked for: links:read / link unfurling (the bot never rewrites other people's links),
any admin or write-to-files scope. (Recaps use the display names Slack sends with each
message; users:read is only for the admin check.)
"""
