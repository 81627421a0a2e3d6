#!/bin/sh
# test-ui-where.sh - field filters from the keyboard: w with a valid and an
# invalid expression (the reason and its column in place), a leading !
# that filters out (and !! for a literal !) in the keyword, regex and
# where prompts, the filter list (v) switching filters off and deleting
# them, the SQL screen (:) with SQLite's own error, and = in the detail
# view, and Enter on a dashboard table's model row.
. "$srcdir/ui-lib.sh"

ui_fixture basic
ui_start
ui_wait '24/24 ' "all entries"

# w: an expression as --where reads it
ui_keys w
ui_wait '^Where:' "the where prompt"
ui_keys -l 'model = gpt-4o'
ui_keys Enter
ui_wait 'where:model = gpt-4o' "status shows the expression"
ui_wait ' 1/1 ' "one call of gpt-4o"
# a second one: both must hold
ui_keys w
ui_keys -l 'duration_ms > 100000'
ui_keys Enter
ui_wait 'where:duration_ms > 100000' "two expressions"
ui_wait ' 0/0 ' "no gpt-4o call took that long"
ui_keys c
ui_wait '24/24 ' "c clears them"
ui_reject 'where:' "no expression left"
ui_ok "where filter"

# an invalid expression keeps the prompt open with the reason and column
ui_keys w
ui_keys -l 'model = = x'
ui_keys Enter
ui_wait '^Where: model = = x +expected a value .*found .=. at column 9' \
    "the error names the token and its column"
ui_expect '24/24 ' "the list is unchanged"
ui_keys C-u
ui_keys -l '!model = = x'
ui_keys Enter
ui_wait 'at column 10' "the column counts the ! typed"
ui_keys Escape
ui_wait_gone '^Where:' "Esc cancels"
ui_ok "invalid where"

# ! filters out: every entry but the gpt-4o call
ui_keys w
ui_keys -l '!model = gpt-4o'
ui_keys Enter
ui_wait 'where!:model = gpt-4o' "status shows a negated expression"
ui_wait ' 23/23 ' "all but one"
ui_keys c
ui_wait '24/24 '
ui_keys k
ui_keys -l '!passwd'
ui_keys Enter
ui_wait 'keyword!:passwd' "a negated keyword"
ui_wait ' 23/23 ' "the entry naming /etc/passwd is hidden"
ui_keys k
ui_wait '^Keyword: !passwd' "the prompt gives the ! back"
ui_keys Escape
ui_keys c
ui_keys f
ui_keys -l '!etc/(passwd|shadow)'
ui_keys Enter
ui_wait 'filter!:/etc/\(passwd\|shadow\)/' "a negated pattern"
ui_wait ' 22/22 '
ui_keys c
ui_keys k
ui_keys -l '!!passwd'
ui_keys Enter
ui_wait 'keyword:!passwd' "!! is a literal !"
ui_wait ' 0/0 ' "no line holds !passwd"
ui_keys c
ui_wait '24/24 '
ui_ok "negation"

# the filter list: hits, Space off and on, d deletes
ui_keys l l l
ui_wait 'level>=WARNING'
ui_keys w
ui_keys -l 'category = llm'
ui_keys Enter
ui_wait ' 1/1 ' "one llm entry at WARNING or above"
ui_keys v
ui_wait '^Filters:' "the filter list"
ui_expect 'level +in +WARNING and above +10 hits' "the level's hits"
ui_expect 'where +in +category = llm +4 hits' "the expression's hits"
ui_keys Down Space
ui_wait 'where +in +category = llm' "still listed"
ui_wait '1 filter off' "the status says one is off"
ui_wait ' 10/10 ' "the list behind without it"
ui_keys Space
ui_wait ' 1/1 ' "on again"
ui_keys Up d
ui_wait_gone 'level +in' "the level is deleted"
ui_wait ' 4/4 ' "only the expression left"
ui_reject 'level>=' "status without the level"
ui_keys Escape
ui_wait 'where:category = llm' "back to the list"
ui_keys c
ui_wait '24/24 '
ui_ok "filter list"

# : runs SQL over the view, a table that scrolls; SQLite's errors as it
# words them
ui_keys ':'
ui_wait '^SQL:' "the SQL prompt"
ui_keys -l 'SELECT model, count(*) AS n FROM llm GROUP BY model ORDER BY n DESC'
ui_keys Enter
ui_wait '^2 rows' "the table's title"
ui_expect 'model +n' "the column names"
ui_expect 'llama3-70b-8192 +3' "a row"
ui_expect 'gpt-4o +1'
ui_keys Right
ui_wait_gone 'model +n' "Right scrolls a column"
ui_keys Left
ui_wait 'model +n'
ui_keys h
ui_wait 'llmlog keys' "h opens the help"
ui_keys x
ui_wait 'model +n' "the help closes on the table"
ui_keys F1
ui_wait 'llmlog keys' "F1 opens the help"
ui_keys x
ui_wait 'model +n'
ui_keys q
ui_wait '24/24 ' "q back to the list"
ui_keys ':'
ui_wait '^SQL: SELECT model'
ui_keys Enter
ui_wait 'model +n'
ui_keys Escape
ui_wait '24/24 ' "Esc back to the list"
ui_keys ':'
ui_wait '^SQL: SELECT model' "the last query again"
ui_keys C-u
ui_keys -l 'SELECT nope FROM llm'
ui_keys Enter
ui_wait '^SQL: SELECT nope FROM llm +no such column: nope' "SQLite's message"
ui_keys Escape
ui_ok "SQL screen"

# a query that never ends shows its progress; Esc cancels it, Ctrl-C quits
ui_keys ':' C-u
ui_keys -l 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c'
ui_keys Enter
ui_wait 'running the query: .* \(Esc cancels\)' "the progress"
ui_keys Escape
ui_wait '^SQL: WITH RECURSIVE.* +cancelled \(Esc\)' "Esc cancels the query"
ui_expect '24/24 ' "the list is still there"
ui_keys Enter
ui_wait 'running the query' "again"
ui_keys C-c
ui_wait '\[llmlog exited 130\]' "Ctrl-C quits while a query runs"
ui_ok "a long query: progress, Esc, Ctrl-C"
ui_start
ui_wait '24/24 '

# = in the detail view: the field under the cursor joins the where filter
ui_keys 5
ui_wait ' 4/4 ' "the LLM tab"
ui_keys Enter
ui_wait '^Entry 4 of 4'
ui_keys Down Down Down Down Down Down
ui_keys =
ui_wait 'where:model = llama3-70b-8192' "the model, one key"
ui_wait ' 3/3 ' "every call of that model"
ui_expect 'where: model = llama3-70b-8192' "the message says what was added"
ui_keys c
ui_wait '24/24 '
# a value that needs quotes
ui_keys 5
ui_wait ' 4/4 '
ui_keys Up Enter
ui_wait '^Entry 3 of 4'
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13; do ui_keys Down; done
ui_keys =
ui_wait 'where:error = "rate limited"' "a quoted value"
ui_wait ' 1/1 '
ui_keys c
# a nested field by its dotted path; an object heading is refused
ui_keys 4 End
ui_wait ' 5/5 ' "the Tool tab"
ui_keys Enter
ui_wait '^Entry 5 of 5'
for i in 1 2 3 4 5 6 7; do ui_keys Down; done
ui_keys =
ui_wait '= needs a field with a value' "an object has no value"
ui_keys Down =
ui_wait 'where:parameters.path = /tmp/out.txt' "a dotted path"
ui_wait ' 1/1 '
ui_keys c
ui_wait '24/24 '
ui_ok "= in the detail view"

ui_quit

# the dashboard's tables (as --stats --by): Enter on a model filters the
# list to it
cursor_row()
{
	row=$(ui_cells | awk '
	$5 ~ /r/ && $1 > 0 && $1 < 38 {
		run = $1 == r && $2 == c + 1 ? run + 1 : 1
		r = $1
		c = $2
		if (run >= 30) { print r; exit }
	}')
	[ -n "$row" ] && ui_row "$row"
}
walk_to()
{
	i=0
	until cursor_row | grep -Eq -- "$1"; do
		i=$((i + 1))
		[ $i -lt 120 ] || ui_fail "the cursor never reached /$1/"
		ui_keys Down
		sleep 0.05
	done
}
UI_COLS=50 ui_start
ui_wait '24/24 '
ui_keys 8
ui_wait '^Overall' "the Stats tab"
# the figures of --stats --by category,model: 3 calls, 1 failed, p50
# 900 ms, p95 1,234.5 ms, 630 tokens
walk_to '^  llama3-70.* +3 +33\.3% +900ms +1\.23s +630 *$'
ui_expect '^LLM by model' "the table by model"
ui_keys Down
sleep 0.1
cursor_row | grep -Eq '^  gpt-4o +1 +0\.0% +2\.50s +2\.50s +1\.2k *$' ||
    ui_fail "a model's calls, fail %, p50, p95 and tokens"
ui_keys Up
walk_to '^  llama3-70'
# the top errors, normalised, with the time last seen
walk_to '^  rate limited'
ui_screen >"$UI_WORK/errors"
grep -Eq '^  Permission denied +2  10:05:01 *$' "$UI_WORK/errors" ||
    ui_fail "the tool's and the user's error, with when it was last seen"
grep -Eq '^  rate limited +1  10:11:00 *$' "$UI_WORK/errors" ||
    ui_fail "the LLM call's error"
i=0
until cursor_row | grep -Eq '^  llama3-70'; do
	i=$((i + 1))
	[ $i -lt 120 ] || ui_fail "Up never reached the model"
	ui_keys Up
	sleep 0.05
done
ui_keys Enter
ui_wait '^where: model = llama3-70b-8192' "Enter adds the model"
ui_wait ' 3/3 ' "the list shows its calls"
ui_quit
ui_ok "Enter on a dashboard model row"

# at 80 and 200 columns the tables' panels are 40 wide: the names stay
# whole, the figures that matter least (p50, tokens) give way
page_to()
{
	i=0
	until ui_screen | grep -Eq -- "$1"; do
		i=$((i + 1))
		[ $i -lt 20 ] || ui_fail "PgDn never showed /$1/ ($2)"
		ui_keys NPage
		sleep 0.1
	done
}
for size in 80x24 200x50; do
	UI_COLS=${size%x*} UI_ROWS=${size#*x} ui_start
	ui_wait '24/24 '
	ui_keys 8
	ui_wait '^Overall' "the Stats tab"
	page_to 'model +calls +fail% +p95( |$)' "the table's heading at $size"
	page_to 'llama3-70b-8192 +3 +33\.3% +1\.23s( |$)' "a whole model name at $size"
	page_to 'list_directory +2 +0\.0% +12\.3ms( |$)' "a whole tool name at $size"
	ui_quit
done
ui_ok "the tables' names whole at 80 and 200 columns"
