"""The recorded PySpark cases sparklet.sql does not match yet: case id -> what differs
(and why, where known). Written by list_differences.py; tests/sql/test_sql_parity.py
fails when a case listed here starts to match, so the list only shrinks."""
# ruff: noqa: E501

KNOWN: dict[str, str] = {'agg.agg_decimal_avg_types': "value differs: PySpark [Row(a=Decimal('1.675000'), "
                              "s=Decimal('3.35'), m=Decimal('2.25'))], sparklet [Row(a=1.675, "
                              "s=Decimal('3.35'), m=Decimal('2.25'))]",
 'agg.agg_empty': "types differ: PySpark [['sum(v)', 'bigint'], ['count(v)', 'bigint'], ['avg(v)', "
                  "'double'], ['max(v)', 'int']], sparklet [['sum(v)', 'decimal(38,0)'], "
                  "['count(v)', 'bigint'], ['avg(v)', 'double'], ['max(v)', 'int']]",
 'agg.agg_nonagg_col_error': 'PySpark raises AnalysisException, sparklet BinderException: Binder '
                             'Error: column "v" must appear in the GROUP BY clause or must be part '
                             'of an aggregate function.',
 'agg.count_if_sum_distinct': "types differ: PySpark [['c', 'bigint'], ['sd', 'bigint']], sparklet "
                              "[['c', 'decimal(38,0)'], ['sd', 'decimal(38,0)']]",
 'agg.cube': "types differ: PySpark [['p', 'string'], ['q', 'string'], ['s', 'bigint']], sparklet "
             "[['p', 'string'], ['q', 'string'], ['s', 'decimal(38,0)']]",
 'agg.describe': "sparklet raises ModuleNotFoundError: No module named 'sparklet.sql.na'",
 'agg.global_agg': "types differ: PySpark [['s', 'bigint'], ['m', 'int']], sparklet [['s', "
                   "'decimal(38,0)'], ['m', 'int']]",
 'agg.groupby_expr': 'sparklet raises ParserException: Parser Error: syntax error at or near "AS"',
 'agg.groupby_sum_all': "types differ: PySpark [['g', 'string'], ['sum(k)', 'bigint'], ['sum(v)', "
                        "'bigint']], sparklet [['g', 'string'], ['sum(k)', 'decimal(38,0)'], "
                        "['sum(v)', 'decimal(38,0)']]",
 'agg.grouping_id': "types differ: PySpark [['p', 'string'], ['gid', 'bigint'], ['s', 'bigint']], "
                    "sparklet [['p', 'string'], ['gid', 'bigint'], ['s', 'decimal(38,0)']]",
 'agg.having_sql': "types differ: PySpark [['g', 'string'], ['s', 'bigint']], sparklet [['g', "
                   "'string'], ['s', 'decimal(38,0)']]",
 'agg.percentile': 'sparklet raises BinderException: Binder Error: No function matches the given '
                   "name and argument types 'approx_quantile(INTEGER, DOUBLE)'. You might need to "
                   'add explicit type ',
 'agg.pivot': "types differ: PySpark [['p', 'string'], ['x', 'bigint'], ['y', 'bigint']], sparklet "
              "[['p', 'string'], ['x', 'decimal(38,0)'], ['y', 'decimal(38,0)']]",
 'agg.pivot_values': "types differ: PySpark [['p', 'string'], ['y', 'bigint'], ['z', 'bigint']], "
                     "sparklet [['p', 'string'], ['y', 'decimal(38,0)'], ['z', 'decimal(38,0)']]",
 'agg.rollup': "types differ: PySpark [['g', 'string'], ['s', 'bigint']], sparklet [['g', "
               "'string'], ['s', 'decimal(38,0)']]",
 'agg.sum_avg': "types differ: PySpark [['g', 'string'], ['sum(v)', 'bigint'], ['avg(v)', "
                "'double']], sparklet [['g', 'string'], ['sum(v)', 'decimal(38,0)'], ['avg(v)', "
                "'double']]",
 'agg.sum_decimal_type': 'rows differ: PySpark ["Row(sum(v)=Decimal(\'1.10\'), '
                         'avg(v)=Decimal(\'1.100000\'))"], sparklet '
                         '["Row(sum(v)=Decimal(\'1.10\'), avg(v)=1.1)"]',
 'agg.sum_int_type': "value differs: PySpark [('sum(v)', 'bigint')], sparklet [('sum(v)', "
                     "'decimal(38,0)')]",
 'agg.summary': "sparklet raises ModuleNotFoundError: No module named 'sparklet.sql.na'",
 'ansi.df_overflow_sum': 'PySpark raises ArithmeticException: [ARITHMETIC_OVERFLOW] overflow. Use '
                         "'try_add' to tolerate overflow and return NULL instead. If necessary set "
                         '"spark.sql.ansi.enabled" to "fa; sparklet returns a value',
 'ansi.off_str_int_cmp': 'sparklet raises NumberFormatException: [CAST_INVALID_INPUT] The value '
                         '\'a\' of the type "STRING" cannot be cast to "INT" because it is '
                         'malformed. Correct the value as per the syntax',
 'ansi.sql_39': 'PySpark raises DateTimeException, sparklet NumberFormatException: '
                '[CAST_INVALID_INPUT] The value \'x\' of the type "STRING" cannot be cast to '
                '"DATE" because it is malformed. Correct the value as per the synta',
 'catalog.cache_table': 'value differs: PySpark (True, 5), sparklet (False, 5)',
 'catalog.create_database': 'sparklet raises NotImplementedError: spark.sql: this statement is not '
                            "supported yet: 'CREATE DATABASE IF NOT EXISTS db1'",
 'catalog.create_table_using_parquet': 'sparklet raises NotImplementedError: spark.sql: this '
                                       "statement is not supported yet: 'CREATE TABLE ct1 (a INT, "
                                       "b STRING) USING parquet'",
 'catalog.drop_table_if_exists': 'sparklet raises NotImplementedError: spark.sql: this statement '
                                 "is not supported yet: 'DROP TABLE IF EXISTS no_such_tbl'",
 'catalog.insertInto': 'sparklet raises NotImplementedError: spark.sql: this statement is not '
                       "supported yet: 'CREATE TABLE ct4 (a INT, b STRING) USING parquet'",
 'catalog.insert_into_select': 'sparklet raises NotImplementedError: spark.sql: this statement is '
                               "not supported yet: 'CREATE TABLE ct2 (a INT) USING parquet'",
 'catalog.list_functions_has_upper': "sparklet raises AttributeError: 'Catalog' object has no "
                                     "attribute 'listFunctions'",
 'catalog.list_tables_persistent': 'sparklet raises NotImplementedError: spark.sql: this statement '
                                   "is not supported yet: 'CREATE TABLE ct3 (a INT) USING parquet'",
 'catalog.saveAsTable': 'sparklet raises ModuleNotFoundError: No module named '
                        "'sparklet.sql.readwriter'",
 'catalog.saveAsTable_append': 'sparklet raises ModuleNotFoundError: No module named '
                               "'sparklet.sql.readwriter'",
 'catalog.saveAsTable_exists_error': 'PySpark raises AnalysisException, sparklet '
                                     'ModuleNotFoundError: No module named '
                                     "'sparklet.sql.readwriter'",
 'catalog.set_current_database': 'sparklet raises NotImplementedError: spark.sql: this statement '
                                 "is not supported yet: 'CREATE DATABASE IF NOT EXISTS db2'",
 'catalog.sql_drop_view': "sparklet raises AttributeError: 'NoneType' object has no attribute "
                          "'name'",
 'catalog.table_in_database': 'sparklet raises NotImplementedError: spark.sql: this statement is '
                              "not supported yet: 'CREATE DATABASE IF NOT EXISTS db3'",
 'collections.create_map_df': 'sparklet raises ParserException: Parser Error: syntax error at or '
                              'near "AS"',
 'collections.explode_df': 'sparklet raises ParserException: Parser Error: syntax error at or near '
                           '"AS"',
 'collections.explode_map_df': 'sparklet raises ParserException: Parser Error: syntax error at or '
                               'near "AS"',
 'collections.explode_outer_df': 'sparklet raises ParserException: Parser Error: syntax error at '
                                 'or near "AS"',
 'collections.generator_0': 'sparklet raises AnalysisException: [UDTF_ALIAS_NUMBER_MISMATCH] The '
                            'number of aliases supplied in the AS clause does not match the number '
                            'of columns output by the UDTF.',
 'collections.generator_1': 'sparklet raises AnalysisException: [UDTF_ALIAS_NUMBER_MISMATCH] The '
                            'number of aliases supplied in the AS clause does not match the number '
                            'of columns output by the UDTF.',
 'collections.generator_2': 'sparklet raises AnalysisException: [UDTF_ALIAS_NUMBER_MISMATCH] The '
                            'number of aliases supplied in the AS clause does not match the number '
                            'of columns output by the UDTF.',
 'collections.generator_3': 'sparklet raises AnalysisException: [UDTF_ALIAS_NUMBER_MISMATCH] The '
                            'number of aliases supplied in the AS clause does not match the number '
                            'of columns output by the UDTF.',
 'collections.generator_4': "rows differ: PySpark ['Row(col=1)', 'Row(col=2)'], sparklet "
                            "['Row(explode(array(1, 2))=1)', 'Row(explode(array(1, 2))=2)']",
 'collections.posexplode_df': 'sparklet raises ParserException: Parser Error: syntax error at or '
                              'near "AS"',
 'collections.sql_33': 'sparklet raises BinderException: Binder Error: No function matches the '
                       "given name and argument types 'reverse(INTEGER[])'. You might need to add "
                       'explicit type casts.',
 'collections.to_json_df': 'rows differ: PySpark [\'Row(j=\\\'{"a":1,"b":"x"}\\\')\'], sparklet '
                           '[\'Row(j=\\\'{"__sparklet_arg0":1,"__sparklet_arg1":"x"}\\\')\']',
 'collections.withField_dropFields': "sparklet raises TypeError: 'Column' object is not callable",
 'dataframe.approxQuantile': 'sparklet raises ModuleNotFoundError: No module named '
                             "'sparklet.sql.na'",
 'dataframe.crosstab': "sparklet raises ModuleNotFoundError: No module named 'sparklet.sql.na'",
 'dataframe.describe_cols': 'sparklet raises ModuleNotFoundError: No module named '
                            "'sparklet.sql.na'",
 'dataframe.freqItems_cols': 'sparklet raises ModuleNotFoundError: No module named '
                             "'sparklet.sql.na'",
 'dataframe.stat_corr': "sparklet raises ModuleNotFoundError: No module named 'sparklet.sql.na'",
 'dataframe.summary_default_rows': 'sparklet raises ModuleNotFoundError: No module named '
                                   "'sparklet.sql.na'",
 'dataframe.union_positional': 'PySpark raises NumberFormatException: [CAST_INVALID_INPUT] The '
                               'value \'a\' of the type "STRING" cannot be cast to "BIGINT" '
                               'because it is malformed. Correct the value as per the syn; '
                               'sparklet returns a value',
 'datetime.df_date_functions': 'rows differ: PySpark ["Row(year(d)=2024, month(d)=2, '
                               "a=datetime.date(2024, 3, 1), f='2024-02-29 23:59', "
                               'td=datetime.date(2024, 2, 29), dd=10)"], sparklet '
                               '["Row(year(to_date(d))=2024, month(to_date(d))=2, '
                               "a=datetime.date(2024, 3, 1), f='2024-02-29 23:59', "
                               'td=datetime.date(2024, 2, 29), dd=10)"]',
 'datetime.interval_type': "value differs: PySpark [('r', 'interval day')], sparklet [('r', "
                           "'interval day to second')]",
 'datetime.sql_02': 'PySpark raises DateTimeException, sparklet NumberFormatException: '
                    '[CAST_INVALID_INPUT] The value \'2024-13-01\' of the type "STRING" cannot be '
                    'cast to "DATE" because it is malformed. Correct the value as per ',
 'datetime.sql_03': "types differ: PySpark [['r', 'timestamp']], sparklet [['r', 'timestamp_ntz']]",
 'datetime.sql_04': "types differ: PySpark [['r', 'timestamp']], sparklet [['r', 'timestamp_ntz']]",
 'datetime.sql_49': "rows differ: PySpark ['Row(r=datetime.date(2024, 2, 29))'], sparklet "
                    "['Row(r=datetime.datetime(2024, 2, 29, 0, 0))']",
 'datetime.sql_52': "rows differ: PySpark ['Row(r=datetime.timedelta(days=4))'], sparklet "
                    "['Row(r=4)']",
 'datetime.sql_59': 'PySpark raises PySparkNotImplementedError: [NOT_IMPLEMENTED] '
                    'CalendarIntervalType.fromInternal is not implemented.; sparklet returns a '
                    'value',
 'errors.agg_in_where': 'PySpark raises AnalysisException, sparklet BinderException: Binder Error: '
                        'WHERE clause cannot contain aggregates!',
 'errors.exception_hierarchy': "value differs: PySpark ('CapturedException', "
                               "'UNRESOLVED_COLUMN.WITH_SUGGESTION', ['objectName', 'proposal']), "
                               "sparklet ('PySparkException', 'UNRESOLVED_COLUMN.WITH_SUGGESTION', "
                               "['objectName', 'proposal'])",
 'errors.type_mismatch': 'PySpark raises AnalysisException, sparklet BinderException: Binder '
                         'Error: No function matches the given name and argument types '
                         "'+(INTEGER[], INTEGER_LITERAL)'. You might need to add explicit type cas",
 'errors.unknown_column_sql': 'PySpark raises AnalysisException, sparklet BinderException: Binder '
                              'Error: Column "nme" referenced that exists in the SELECT clause - '
                              'but this column cannot be referenced before it is defined',
 'errors.unknown_table': 'PySpark raises AnalysisException, sparklet CatalogException: Catalog '
                         'Error: Table with name no_such_table does not exist!',
 'errors.unknown_table_read': 'PySpark raises AnalysisException, sparklet ValueError: Undefined '
                              'error message parameter for error class: TABLE_OR_VIEW_NOT_FOUND. '
                              "Parameters: {'relationName': '`no_such_table`'}",
 'errors.wrong_arg_count': 'PySpark raises AnalysisException, sparklet ParseException: '
                           "[PARSE_SYNTAX_ERROR] Syntax error at or near ')'. SQLSTATE: 42601 "
                           '(line 1, pos 21)',
 'io.csv_all_types_text': 'sparklet raises ModuleNotFoundError: No module named '
                          "'sparklet.sql.readwriter'",
 'io.csv_header_infer': 'sparklet raises ModuleNotFoundError: No module named '
                        "'sparklet.sql.readwriter'",
 'io.csv_infer_types': 'sparklet raises ModuleNotFoundError: No module named '
                       "'sparklet.sql.readwriter'",
 'io.csv_no_header': 'sparklet raises ModuleNotFoundError: No module named '
                     "'sparklet.sql.readwriter'",
 'io.csv_options': "sparklet raises ModuleNotFoundError: No module named 'sparklet.sql.readwriter'",
 'io.csv_schema': "sparklet raises ModuleNotFoundError: No module named 'sparklet.sql.readwriter'",
 'io.csv_write_read': 'sparklet raises ModuleNotFoundError: No module named '
                      "'sparklet.sql.readwriter'",
 'io.csv_write_text': 'sparklet raises ModuleNotFoundError: No module named '
                      "'sparklet.sql.readwriter'",
 'io.format_load': "sparklet raises ModuleNotFoundError: No module named 'sparklet.sql.readwriter'",
 'io.json_all_types': 'sparklet raises ModuleNotFoundError: No module named '
                      "'sparklet.sql.readwriter'",
 'io.json_all_types_schema': 'sparklet raises ModuleNotFoundError: No module named '
                             "'sparklet.sql.readwriter'",
 'io.json_corrupt_record': 'sparklet raises ModuleNotFoundError: No module named '
                           "'sparklet.sql.readwriter'",
 'io.json_lines_text': 'sparklet raises ModuleNotFoundError: No module named '
                       "'sparklet.sql.readwriter'",
 'io.json_multiline': 'sparklet raises ModuleNotFoundError: No module named '
                      "'sparklet.sql.readwriter'",
 'io.json_read_infer': 'sparklet raises ModuleNotFoundError: No module named '
                       "'sparklet.sql.readwriter'",
 'io.json_read_schema': 'sparklet raises ModuleNotFoundError: No module named '
                        "'sparklet.sql.readwriter'",
 'io.json_text_types': 'sparklet raises ModuleNotFoundError: No module named '
                       "'sparklet.sql.readwriter'",
 'io.json_write_read': 'sparklet raises ModuleNotFoundError: No module named '
                       "'sparklet.sql.readwriter'",
 'io.orc_all_types': 'sparklet raises ModuleNotFoundError: No module named '
                     "'sparklet.sql.readwriter'",
 'io.orc_roundtrip': 'sparklet raises ModuleNotFoundError: No module named '
                     "'sparklet.sql.readwriter'",
 'io.parquet_all_types': 'sparklet raises ModuleNotFoundError: No module named '
                         "'sparklet.sql.readwriter'",
 'io.parquet_merge_schema': 'sparklet raises ModuleNotFoundError: No module named '
                            "'sparklet.sql.readwriter'",
 'io.parquet_mode_append': 'sparklet raises ModuleNotFoundError: No module named '
                           "'sparklet.sql.readwriter'",
 'io.parquet_mode_error': 'PySpark raises AnalysisException, sparklet ModuleNotFoundError: No '
                          "module named 'sparklet.sql.readwriter'",
 'io.parquet_mode_ignore': 'sparklet raises ModuleNotFoundError: No module named '
                           "'sparklet.sql.readwriter'",
 'io.parquet_mode_overwrite': 'sparklet raises ModuleNotFoundError: No module named '
                              "'sparklet.sql.readwriter'",
 'io.parquet_partitionBy': 'sparklet raises ModuleNotFoundError: No module named '
                           "'sparklet.sql.readwriter'",
 'io.parquet_partition_dirs': 'sparklet raises ModuleNotFoundError: No module named '
                              "'sparklet.sql.readwriter'",
 'io.parquet_partition_int_infer': 'sparklet raises ModuleNotFoundError: No module named '
                                   "'sparklet.sql.readwriter'",
 'io.parquet_read_partition_filter': 'sparklet raises ModuleNotFoundError: No module named '
                                     "'sparklet.sql.readwriter'",
 'io.parquet_roundtrip': 'sparklet raises ModuleNotFoundError: No module named '
                         "'sparklet.sql.readwriter'",
 'io.parquet_schema': 'sparklet raises ModuleNotFoundError: No module named '
                      "'sparklet.sql.readwriter'",
 'io.parquet_ts_ntz': 'sparklet raises ModuleNotFoundError: No module named '
                      "'sparklet.sql.readwriter'",
 'io.read_csv_multiple_files': 'sparklet raises ModuleNotFoundError: No module named '
                               "'sparklet.sql.readwriter'",
 'io.read_missing_path': 'PySpark raises AnalysisException, sparklet ModuleNotFoundError: No '
                         "module named 'sparklet.sql.readwriter'",
 'io.read_text_wholetext': 'sparklet raises ModuleNotFoundError: No module named '
                           "'sparklet.sql.readwriter'",
 'io.save_mode_errorifexists_text': 'sparklet raises ModuleNotFoundError: No module named '
                                    "'sparklet.sql.readwriter'",
 'io.sql_on_file': "sparklet raises ModuleNotFoundError: No module named 'sparklet.sql.readwriter'",
 'io.text_read': "sparklet raises ModuleNotFoundError: No module named 'sparklet.sql.readwriter'",
 'io.text_write': "sparklet raises ModuleNotFoundError: No module named 'sparklet.sql.readwriter'",
 'io.write_bad_mode': 'PySpark raises AnalysisException, sparklet ModuleNotFoundError: No module '
                      "named 'sparklet.sql.readwriter'",
 'io.write_files_layout': 'sparklet raises ModuleNotFoundError: No module named '
                          "'sparklet.sql.readwriter'",
 'nulls_order.fillna_subset': 'sparklet raises ModuleNotFoundError: No module named '
                              "'sparklet.sql.na'",
 'nulls_order.isnull_isnotnull': 'sparklet raises AnalysisException: [UNRESOLVED_ROUTINE] Cannot '
                                 'resolve routine `isnotnull` on search path [`system`.`builtin`, '
                                 '`system`.`session`, `spark_catalog`.`default`]. ',
 'nulls_order.na_drop_any': 'sparklet raises ModuleNotFoundError: No module named '
                            "'sparklet.sql.na'",
 'nulls_order.na_drop_subset': 'sparklet raises ModuleNotFoundError: No module named '
                               "'sparklet.sql.na'",
 'nulls_order.na_drop_thresh': 'sparklet raises ModuleNotFoundError: No module named '
                               "'sparklet.sql.na'",
 'nulls_order.na_fill_dict': 'sparklet raises ModuleNotFoundError: No module named '
                             "'sparklet.sql.na'",
 'nulls_order.na_fill_int': 'sparklet raises ModuleNotFoundError: No module named '
                            "'sparklet.sql.na'",
 'nulls_order.na_fill_str': 'sparklet raises ModuleNotFoundError: No module named '
                            "'sparklet.sql.na'",
 'nulls_order.na_replace': "sparklet raises ModuleNotFoundError: No module named 'sparklet.sql.na'",
 'nulls_order.null_in_agg': "types differ: PySpark [['sum(v)', 'bigint'], ['count(v)', 'bigint'], "
                            "['count(1)', 'bigint'], ['avg(v)', 'double']], sparklet [['sum(v)', "
                            "'decimal(38,0)'], ['count(v)', 'bigint'], ['count(1)', 'bigint'], "
                            "['avg(v)', 'double']]",
 'nulls_order.null_string_concat': "types differ: PySpark [['a', 'string'], ['b', 'string']], "
                                   "sparklet [['a', 'void'], ['b', 'string']]",
 'schema.dtypes_agg': "value differs: PySpark [('g', 'string'), ('s', 'bigint'), ('a', 'double'), "
                      "('c', 'bigint'), ('m', 'int'), ('l', 'array<int>')], sparklet [('g', "
                      "'string'), ('s', 'decimal(38,0)'), ('a', 'double'), ('c', 'bigint'), ('m', "
                      "'int'), ('l', 'array<int>')]",
 'schema.print_all_types': 'printed text differs',
 'schema.print_sql_literals': 'printed text differs',
 'show.interval_show': 'sparklet raises ParserException: Parser Error: YEAR TO MONTH is not '
                       'supported',
 'show.show_sql_range': 'sparklet raises ParserException: Parser Error: syntax error at or near '
                        '"CAST"',
 'show.sql_headers': 'printed text differs',
 'sql.between_in': 'sparklet raises ParserException: Parser Error: syntax error at or near "CAST"',
 'sql.describe_query': 'sparklet raises NotImplementedError: spark.sql: this statement is not '
                       "supported yet: 'DESCRIBE p'",
 'sql.distinct': 'sparklet raises ParserException: Parser Error: syntax error at or near "CAST"',
 'sql.explain_text_type': 'sparklet raises NotImplementedError: spark.sql: this statement is not '
                          "supported yet: 'EXPLAIN SELECT 1'",
 'sql.interval_arith': "rows differ: PySpark ['Row(a=datetime.date(2024, 1, 3))'], sparklet "
                       "['Row(a=datetime.datetime(2024, 1, 3, 0, 0))']",
 'sql.limit_offset': 'sparklet raises ParserException: Parser Error: syntax error at or near '
                     '"CAST"',
 'sql.named_args_params': 'sparklet raises NotImplementedError: spark.sql(args=...) parameters are '
                          'not implemented yet',
 'sql.pivot_sql': "types differ: PySpark [['p', 'string'], ['x', 'bigint'], ['y', 'bigint']], "
                  "sparklet [['p', 'string'], ['x', 'decimal(38,0)'], ['y', 'decimal(38,0)']]",
 'sql.positional_params': 'sparklet raises NotImplementedError: spark.sql(args=...) parameters are '
                          'not implemented yet',
 'sql.range_tvf': 'sparklet raises ParserException: Parser Error: syntax error at or near "CAST"',
 'sql.range_tvf_dtypes': 'sparklet raises ParserException: Parser Error: syntax error at or near '
                         '"CAST"',
 'sql.show_tables': 'sparklet raises NotImplementedError: spark.sql: this statement is not '
                    "supported yet: 'SHOW TABLES'",
 'sql.sort_by_alias': 'sparklet raises ParserException: Parser Error: syntax error at or near '
                      '"CAST"',
 'sql.stack': 'sparklet raises ParserException: Parser Error: syntax error at or near "("',
 'sql.tablesample_count': 'PySpark raises ParseException, sparklet ParserException: Parser Error: '
                          'syntax error at or near "CAST"',
 'sql.transform_clause_filter': 'sparklet raises ParserException: Parser Error: syntax error at or '
                                'near "CAST"',
 'string.sql_40': 'rows differ: PySpark ["Row(r=b\'abc\')"], sparklet '
                  '["Row(r=bytearray(b\'abc\'))"]',
 'string.sql_69': 'rows differ: PySpark ["Row(r=b\'abc\')"], sparklet '
                  '["Row(r=bytearray(b\'abc\'))"]',
 'string.string_plus_number': 'sparklet raises BinderException: Binder Error: Could not choose a '
                              'best candidate function for the function call "+(STRING_LITERAL, '
                              'INTEGER_LITERAL)". In order to select one,',
 'udf.udf_exception': 'PySpark raises PythonException, sparklet ValueError: Cannot find main error '
                      "class 'PYTHON_EXCEPTION'",
 'udf.udf_int_overflow_return': 'PySpark raises PythonException, sparklet ValueError: Cannot find '
                                "main error class 'PYTHON_EXCEPTION'",
 'udf.udf_map_return': 'sparklet raises AnalysisException: [UNRESOLVED_COLUMN.WITH_SUGGESTION] A '
                       'column, variable, or function parameter with name `id` cannot be resolved. '
                       'Did you mean one of the fol',
 'udf.udf_wrong_type_null': 'PySpark raises PythonException, sparklet ValueError: Cannot find main '
                            "error class 'PYTHON_EXCEPTION'",
 'window.avg_window_dtypes_decimal': "value differs: PySpark [('a', 'decimal(9,6)'), ('s', "
                                     "'decimal(15,2)')], sparklet [('a', 'double'), ('s', "
                                     "'decimal(38,2)')]",
 'window.column_over_header': "value differs: PySpark ['row_number() OVER (PARTITION BY g ORDER BY "
                              'k ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT '
                              "ROW)'], sparklet ['row_number() OVER (PARTITION BY g ORDER BY k ASC "
                              "NULLS FIRST)']",
 'window.count_distinct_window_error': 'PySpark raises AnalysisException: '
                                       '[DISTINCT_WINDOW_FUNCTION_UNSUPPORTED] Distinct window '
                                       'functions are not supported: "count(DISTINCT v) OVER '
                                       '(PARTITION BY g ROWS BETWEEN UNB; sparklet returns a value',
 'window.first_ignorenulls_window': "rows differ: PySpark ['Row(k=1, l=10)', 'Row(k=2, l=20)', "
                                    "'Row(k=3, l=5)'], sparklet ['Row(k=1, l=10)', 'Row(k=2, "
                                    "l=20)', 'Row(k=3, l=5)']",
 'window.no_order_whole_partition': "types differ: PySpark [['k', 'int'], ['c', 'bigint'], ['s', "
                                    "'bigint']], sparklet [['k', 'int'], ['c', 'bigint'], ['s', "
                                    "'decimal(38,0)']]",
 'window.ntile': "types differ: PySpark [['k', 'int'], ['t', 'int']], sparklet [['k', 'int'], "
                 "['t', 'bigint']]",
 'window.range_between': "types differ: PySpark [['k', 'int'], ['s', 'bigint']], sparklet [['k', "
                         "'int'], ['s', 'decimal(38,0)']]",
 'window.range_unbounded_current': "types differ: PySpark [['k', 'int'], ['s', 'bigint']], "
                                   "sparklet [['k', 'int'], ['s', 'decimal(38,0)']]",
 'window.rank_dense': "types differ: PySpark [['k', 'int'], ['r', 'int'], ['d', 'int']], sparklet "
                      "[['k', 'int'], ['r', 'bigint'], ['d', 'bigint']]",
 'window.rank_no_order_error': 'PySpark raises AnalysisException: '
                               '[WINDOW_FUNCTION_FRAME_NOT_ORDERED] Window function rank requires '
                               'the window to be ordered. You need to add an ORDER BY clause. For '
                               'example:; sparklet returns a value',
 'window.row_number': "types differ: PySpark [['k', 'int'], ['rn', 'int']], sparklet [['k', "
                      "'int'], ['rn', 'bigint']]",
 'window.row_number_no_partition_desc_nulls_last': "types differ: PySpark [['k', 'int'], ['rn', "
                                                   "'int']], sparklet [['k', 'int'], ['rn', "
                                                   "'bigint']]",
 'window.rows_between': "types differ: PySpark [['k', 'int'], ['s', 'bigint']], sparklet [['k', "
                        "'int'], ['s', 'decimal(38,0)']]",
 'window.running_sum': "types differ: PySpark [['k', 'int'], ['s', 'bigint']], sparklet [['k', "
                       "'int'], ['s', 'decimal(38,0)']]",
 'window.running_sum_ties': "types differ: PySpark [['k', 'int'], ['s', 'bigint']], sparklet "
                            "[['k', 'int'], ['s', 'decimal(38,0)']]",
 'window.sql_qualify_like_filter': "types differ: PySpark [['k', 'int'], ['g', 'string'], ['rn', "
                                   "'int']], sparklet [['k', 'int'], ['g', 'string'], ['rn', "
                                   "'bigint']]",
 'window.window_desc_nulls': "types differ: PySpark [['k', 'int'], ['rn', 'int']], sparklet [['k', "
                             "'int'], ['rn', 'bigint']]",
 'window.window_dtypes': "value differs: PySpark [('rn', 'int'), ('r', 'int'), ('s', 'bigint'), "
                         "('a', 'double')], sparklet [('rn', 'bigint'), ('r', 'bigint'), ('s', "
                         "'decimal(38,0)'), ('a', 'double')]",
 'window.window_in_sql_named': "types differ: PySpark [['k', 'int'], ['s', 'bigint']], sparklet "
                               "[['k', 'int'], ['s', 'decimal(38,0)']]"}
