"""The online briefing conference: bridge points, delegates, roll call, agenda, speaker queue,
minutes, conclusions, and the live room that runs it."""
