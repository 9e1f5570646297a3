"""The recorded PySpark cases sparklet.sql does not match yet: case id -> what differs
(and why, where known). Written by list_differences.py; tests/sql/test_sql_parity.py
fails when a case listed here starts to match, so the list only shrinks."""
# ruff: noqa: E501

KNOWN: dict[str, str] = {'dataframe.union_positional': 'PySpark raises NumberFormatException: [CAST_INVALID_INPUT] The '
                               'value \'a\' of the type "STRING" cannot be cast to "BIGINT" '
                               'because it is malformed. Correct the value as per the syn; '
                               'sparklet returns a value',
 'datetime.interval_type': "value differs: PySpark [('r', 'interval day')], sparklet [('r', "
                           "'interval day to second')]",
 'datetime.sql_52': "rows differ: PySpark ['Row(r=datetime.timedelta(days=4))'], sparklet "
                    "['Row(r=4)']",
 'datetime.sql_59': 'PySpark raises PySparkNotImplementedError: [NOT_IMPLEMENTED] '
                    'CalendarIntervalType.fromInternal is not implemented.; sparklet returns a '
                    'value',
 'errors.exception_hierarchy': "value differs: PySpark ('CapturedException', "
                               "'UNRESOLVED_COLUMN.WITH_SUGGESTION', ['objectName', 'proposal']), "
                               "sparklet ('PySparkException', 'UNRESOLVED_COLUMN.WITH_SUGGESTION', "
                               "['objectName', 'proposal'])",
 'schema.print_all_types': 'printed text differs',
 'show.interval_show': 'sparklet raises ParserException: Parser Error: YEAR TO MONTH is not '
                       'supported',
 'sql.pivot_sql': "types differ: PySpark [['p', 'string'], ['x', 'bigint'], ['y', 'bigint']], "
                  "sparklet [['p', 'string'], ['x', 'decimal(38,0)'], ['y', 'decimal(38,0)']]",
 'string.string_plus_number': 'sparklet raises BinderException: Binder Error: Could not choose a '
                              'best candidate function for the function call "+(STRING_LITERAL, '
                              'INTEGER_LITERAL)". In order to select one,'}
