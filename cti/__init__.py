"""CTI bridge: AMI connection, call and agent tracking, telephony actions, demo PBX."""
