// Package querylang is the filter language of the session list: free
// words, quoted phrases and qualifiers (status:failed,running tag:none
// updated:>1d), joined by spaces (AND), with commas for OR inside a
// qualifier and a leading - for NOT.
//
// Parse reads the text and never fails: what it cannot read becomes a
// Problem (with its byte span, for display under the input) and the rest
// applies. Compile binds a Query to an Env (the time, the tags that exist,
// the agents) and gives a Matcher, which tests rows (Subject, pre-lowered
// by the caller) without allocating, tells which parts the server can
// answer (Server), and whether a new query can be run on the previous
// one's matches only (Narrows).
package querylang

// SyntaxHelp documents the syntax for the help screen (lines of at most
// 76 columns).
const SyntaxHelp = `Filter syntax (/)
  words          fuzzy in title, previews and agent name (refnd: refund)
  3254           digits match as written, never scattered, never in ids
  "a phrase"     exact text, any case
  #tag           has the tag (a tag nobody has is searched as text)
  tag:a,b        has tag a or b;  tag:none  no tags;  tag:"two words"
  status:x,y     running failed completed idle paused (the outcome)
                 started active waiting (the execution status)
  agent:ops      agent name, display name or id prefix
  source:api     chat api slack ag_ui fcp schedule webhook a2a eval ...
  created:<7d    created within 7 days; >7d more than 7 days ago
  updated:>1d    units s m h d w; or a date: >2026-08-01, 2026-08-01
  tokens:>100k   total tokens (k, m);  cost:>0.50  cost in USD
                 < > <= >= compare
  is:pinned      also is:resolved (tagged resolved), is:archived
  id:01ab        id prefix;  model:x  the model id
Spaces join with AND, commas mean OR, a leading - means NOT:
  status:failed,waiting -#resolved updated:>1d
Mistakes are shown under the input; the rest of the query applies.
status, source, agent, created, is:archived and the longest word (in
titles) are also asked of the server, so sessions not loaded are found
too; the other filters apply to the loaded sessions.`
