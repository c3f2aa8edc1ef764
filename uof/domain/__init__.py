"""Pure domain rules with no Flask: vocabulary, recording policy, validation.

The HTML form, the JSON API, the scheduler and the exports all call these modules, so a rule is written once.
"""
