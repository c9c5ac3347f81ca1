require_relative "invoice"
require_relative "money"

module Shop
  class Billing
    def charge(customer, amount)
      log("charging #{customer}")
      # {{CURSOR}}
    end
  end
end
