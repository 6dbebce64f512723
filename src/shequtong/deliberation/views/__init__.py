"""deliberation's views by subject: votes, topics and procedures, meetings, residents' pages."""
