"""generate/protect"""
