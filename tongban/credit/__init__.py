"""Credit (信用): records, red and black lists with their joint measures (联合奖惩),
credit commitments, the credit class and credit repair (R-CR-1). docs/credit.md."""
