print("spam " * 10**6)
