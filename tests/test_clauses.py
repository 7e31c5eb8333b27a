import numpy as np

from consumer_nlp.features._clauses import best_by_owner, split_clauses


def test_texts_are_cut_at_punctuation_and_each_clause_knows_its_text():
    clauses, owners = split_clauses(["物流很快,包装也好!就是屏幕有划痕。", "还行", "一、二...三 四五"])
    assert clauses == ["物流很快", "包装也好", "就是屏幕有划痕", "还行", "四五"]
    assert owners.tolist() == [0, 0, 0, 1, 2]


def test_a_text_without_a_clause_of_two_characters_is_its_own_clause():
    clauses, owners = split_clauses(["好,差", "", "!!!"])
    assert clauses == ["好,差", "", "!!!"]
    assert owners.tolist() == [0, 1, 2]


def test_the_best_clause_score_is_taken_per_text_and_column():
    scores = np.array([[1.0, -2.0], [0.5, 3.0], [-1.0, -1.0]])
    best = best_by_owner(scores, np.array([0, 0, 1]), 2)
    np.testing.assert_array_equal(best, [[1.0, 3.0], [-1.0, -1.0]])


def test_numbered_clauses_count_the_break_characters_before_each_and_leave_short_texts_out():
    from consumer_nlp.features._clauses import numbered_clauses

    clauses, owners, numbers = numbered_clauses(["物流很快,包装也好!!就是屏幕有划痕。", "好,差", ",,a,还行"])
    assert clauses == ["物流很快", "包装也好", "就是屏幕有划痕", "还行"]
    assert owners.tolist() == [0, 0, 0, 2] and numbers.tolist() == [0, 1, 3, 3]
