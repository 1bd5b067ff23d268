# schema_objects.sh - object lists for comparing dbward's model with pg_dump
# (sourced by the schema integration tests after testlib.sh).
#
# Both sides are written the way `pg_restore -l` names entries ("TABLE
# public users", "FK CONSTRAINT public posts posts_user_id_fkey", "COMMENT
# auth TABLE users"), without owners and double quotes, one per line, sorted.

# dbward_objects JSON_FILE: the entries `dbward schema dump --json` implies.
dbward_objects() {
	jq -r '
	def s: (.schema // "-");
	def cmt: . as $o
	  | ($o.name | capture("^(?<t>table constraint|domain constraint|materialized view|event trigger|[a-z]+) (?<id>.*)$")) as $c
	  | ($c.t | ascii_upcase) as $T
	  | (if $o.schema then ($c.id | ltrimstr("\"" + $o.schema + "\".") | ltrimstr($o.schema + ".")) else $c.id end) as $rest
	  | if $T == "DOMAIN CONSTRAINT" then
	      ($rest | capture("^(?<n>.*) on (?<t>.*)$")) as $p
	      | "COMMENT \($o | s) CONSTRAINT \($p.n) ON DOMAIN \($p.t | sub("^[^.]*\\."; ""))"
	    elif ($T == "TABLE CONSTRAINT" or $T == "TRIGGER" or $T == "POLICY" or $T == "RULE") then
	      ($rest | capture("^(?<n>.*) on (?<t>.*)$")) as $p
	      | "COMMENT \($o | s) \(if $T == "TABLE CONSTRAINT" then "CONSTRAINT" else $T end) \($p.n) ON \($p.t | sub("^[^.]*\\."; ""))"
	    else "COMMENT \($o | s) \($T) \($rest)" end;
	.objects[] |
	if .kind == "schema" then "SCHEMA - \(.name)"
	elif .kind == "extension" then "EXTENSION - \(.name)"
	elif .kind == "enum" or .kind == "composite type" or .kind == "range type" then "TYPE \(s) \(.name)"
	elif .kind == "statistics" then "STATISTICS \(s) \(.name)"
	elif .kind == "rule" then "RULE \(s) \(.table) \(.name)"
	elif .kind == "domain" then "DOMAIN \(s) \(.name)"
	elif .kind == "sequence" then "SEQUENCE \(s) \(.name)", (if .attributes.owned_by then "SEQUENCE OWNED BY \(s) \(.name)" else empty end)
	elif .kind == "function" then "\(.attributes.kind | ascii_upcase) \(s) \(.name)"
	elif .kind == "table" then "TABLE \(s) \(.name)", (if .attributes.row_security == "enabled" then "ROW SECURITY \(s) \(.name)" else empty end)
	elif .kind == "column" then
	  (if .attributes.default then "DEFAULT \(s) \(.table) \(.name)" else empty end),
	  (if .attributes.identity_sequence then "SEQUENCE \(s) \(.attributes.identity_sequence | sub("^[^.]*\\."; ""))" else empty end)
	elif .kind == "constraint" then
	  (if .attributes.type == "foreign key" then "FK CONSTRAINT \(s) \(.table) \(.name)"
	   elif .attributes.type == "check" then "CHECK CONSTRAINT \(s) \(.table) \(.name)", "CONSTRAINT \(s) \(.table) \(.name)"
	   else "CONSTRAINT \(s) \(.table) \(.name)" end)
	elif .kind == "index" then "INDEX \(s) \(.name)"
	elif .kind == "view" then (if .attributes.materialized == "yes" then "MATERIALIZED VIEW \(s) \(.name)", "MATERIALIZED VIEW DATA \(s) \(.name)" else "VIEW \(s) \(.name)" end)
	elif .kind == "trigger" then "TRIGGER \(s) \(.table) \(.name)"
	elif .kind == "event trigger" then "EVENT TRIGGER - \(.name)"
	elif .kind == "policy" then "POLICY \(s) \(.table) \(.name)"
	elif .kind == "publication" then "PUBLICATION - \(.name)",
	  (. as $p | (.attributes.objects // "") | split(", ")[] | select(startswith("TABLE "))
	   | ltrimstr("TABLE ") | sub(" WHERE .*$"; "") | capture("^(?<s>[^.]+)\\.(?<t>.*)$")
	   | "PUBLICATION TABLE \(.s) \($p.name) \(.t)")
	elif .kind == "comment" then cmt
	else empty end' "$1" | tr -d '"' | comment_function_args | sort -u
}

# Comments on functions: pg_dump names the arguments with their names,
# pg_identify_object with qualified types; compare without the arguments.
comment_function_args() {
	sed -E 's/^(COMMENT [^ ]+ (FUNCTION|PROCEDURE) [^(]*)\(.*$/\1()/'
}

# pg_dump_objects DBNAME: the entries pg_dump --schema-only lists (without
# privileges, which the model leaves out), less TABLE ATTACH / INDEX ATTACH
# (steps of pg_dump's restore, not objects: the partitions and their indexes
# are entries of their own) and dbward's and Prisma's bookkeeping tables.
pg_dump_objects() {
	pg_dump -Fc --schema-only -x -d "$1" -f "$T_DIR/$1.dump" &&
		pg_restore -l "$T_DIR/$1.dump" | grep -v '^;' |
		sed -E 's/^[0-9]+; [0-9]+ [0-9]+ //; s/ [^ ]*$//' | tr -d '"' |
		grep -vE '^(TABLE|INDEX) ATTACH ' | grep -vE ' (_prisma_migrations|dbward_[a-z_]+)( |$)' |
		comment_function_args | sort -u
}
