module Shop
  class Invoice  # {{EXPECT}}
    attr_reader :customer, :total

    def initialize(customer, total:)
      @customer = customer
      @total = total
    end

    def paid?
      @paid == true
    end
  end
end
