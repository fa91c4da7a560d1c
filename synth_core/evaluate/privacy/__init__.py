"""evaluate/privacy"""
