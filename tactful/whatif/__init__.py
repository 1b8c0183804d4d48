"""What-if: replay a real purchase history under two offer policies, side by side.

See docs/whatif.md for what is simulated and how the revenue interval is drawn.
"""
