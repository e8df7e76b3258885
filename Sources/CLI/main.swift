print("lanesight: under construction")
